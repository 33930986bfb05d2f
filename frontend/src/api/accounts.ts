// Typed calls for accounts: finding one by handle, its posts and follows,
// following, follow requests and editing one's own profile.

import { ApiError, type Client, type Query, seg } from './client';
import type { Account, CredentialAccount, Relationship, SearchResults, Status } from './types';

export type ProfileTab = 'posts' | 'with_replies' | 'media';

/** The query of GET /api/v1/accounts/:id/statuses for a profile tab. */
export function tabQuery(tab: ProfileTab): Query {
  switch (tab) {
    case 'posts':
      return { exclude_replies: true };
    case 'with_replies':
      return {};
    case 'media':
      return { only_media: true };
  }
}

export const accounts = {
  get: (c: Client, id: string) => c.get<Account>(`/api/v1/accounts/${seg(id)}`),

  /**
   * The account `acct` names ("bob" or "bob@other.example"). `lookup` knows
   * this server's users; anyone else is found (and, if new, fetched from
   * their server) through search with `resolve`.
   */
  find: async (c: Client, acct: string, localDomain: string): Promise<Account> => {
    const bare = acct.replace(/^@/, '');
    const domain = bare.split('@')[1]?.toLowerCase();
    if (!domain || domain === localDomain.toLowerCase()) {
      return c.get<Account>('/api/v1/accounts/lookup', { acct: bare });
    }
    const found = await c.get<SearchResults>('/api/v2/search', {
      q: `@${bare}`,
      resolve: true,
      type: 'accounts',
      limit: 5,
    });
    const match = found.accounts.find((a) => a.acct.toLowerCase() === bare.toLowerCase());
    if (!match) throw new ApiError(404, 'Record not found');
    return match;
  },

  statuses: (c: Client, id: string, query: Query) => c.page<Status>(`/api/v1/accounts/${seg(id)}/statuses`, query),
  pinned: (c: Client, id: string) => c.get<Status[]>(`/api/v1/accounts/${seg(id)}/statuses`, { pinned: true }),
  followers: (c: Client, id: string, query: Query) => c.page<Account>(`/api/v1/accounts/${seg(id)}/followers`, query),
  following: (c: Client, id: string, query: Query) => c.page<Account>(`/api/v1/accounts/${seg(id)}/following`, query),

  relationships: (c: Client, ids: string[]) => c.get<Relationship[]>('/api/v1/accounts/relationships', { id: ids }),
  follow: (c: Client, id: string) => c.post<Relationship>(`/api/v1/accounts/${seg(id)}/follow`),
  unfollow: (c: Client, id: string) => c.post<Relationship>(`/api/v1/accounts/${seg(id)}/unfollow`),

  followRequests: (c: Client, query: Query) => c.page<Account>('/api/v1/follow_requests', query),
  authorize: (c: Client, id: string) => c.post<Relationship>(`/api/v1/follow_requests/${seg(id)}/authorize`),
  reject: (c: Client, id: string) => c.post<Relationship>(`/api/v1/follow_requests/${seg(id)}/reject`),

  /** PATCH update_credentials as multipart, so images can travel with the text. */
  updateCredentials: (c: Client, form: FormData) =>
    c.upload<CredentialAccount>('PATCH', '/api/v1/accounts/update_credentials', form),
};

// Lists show a follow button per account; rather than one request per
// button, the ids asked for within one tick go out as one
// `relationships?id[]=…` call (Mastodon answers at most 40 ids per call).
const BATCH_MAX = 40;

interface Waiting {
  id: string;
  resolve: (relationship: Relationship) => void;
  reject: (error: unknown) => void;
}

const queues = new WeakMap<Client, Waiting[]>();

async function flush(client: Client): Promise<void> {
  const waiting = queues.get(client) ?? [];
  queues.delete(client);
  for (let i = 0; i < waiting.length; i += BATCH_MAX) {
    const chunk = waiting.slice(i, i + BATCH_MAX);
    const ids = [...new Set(chunk.map((w) => w.id))];
    try {
      const found = await accounts.relationships(client, ids);
      const byId = new Map(found.map((r) => [r.id, r]));
      for (const w of chunk) {
        const relationship = byId.get(w.id);
        if (relationship) w.resolve(relationship);
        else w.reject(new ApiError(404, 'Record not found'));
      }
    } catch (error) {
      for (const w of chunk) w.reject(error);
    }
  }
}

/** The viewer's relationship with account `id`, batched with its neighbours. */
export function relationshipOf(client: Client, id: string): Promise<Relationship> {
  return new Promise((resolve, reject) => {
    let queue = queues.get(client);
    if (!queue) {
      queue = [];
      queues.set(client, queue);
      setTimeout(() => void flush(client), 0);
    }
    queue.push({ id, resolve, reject });
  });
}
