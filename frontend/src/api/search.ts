// Typed call for search: people, hashtags and posts in one answer.

import type { Client } from './client';
import type { SearchResults } from './types';

export const search = {
  /**
   * `resolve` makes the server look up `@user@other.example` and other
   * servers' links it does not know yet.
   */
  all: (c: Client, q: string) => c.get<SearchResults>('/api/v2/search', { q, resolve: true, limit: 20 }),
};
