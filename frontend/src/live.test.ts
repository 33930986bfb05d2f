import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Page, Query } from './api/client';
import { fetchNewerThan, pollAnchor, watchNewer } from './live';

/** A server holding ids 1..count that answers `min_id` like Mastodon (and Loggia) do. */
function server(count: number) {
  const all = Array.from({ length: count }, (_, i) => String(i + 1));
  const queries: Query[] = [];
  const load = async (query: Query): Promise<Page<string>> => {
    queries.push(query);
    const min = Number(query.min_id ?? 0);
    const limit = Number(query.limit ?? 20);
    // The `limit` items right after min_id, newest first.
    const items = all.filter((id) => Number(id) > min).slice(0, limit).reverse();
    return { items, links: {} };
  };
  return { load, queries };
}

const key = (id: string) => id;

describe('fetchNewerThan', () => {
  it('reads a burst longer than a page without a gap, newest first', async () => {
    const { load, queries } = server(50);
    const items = await fetchNewerThan(load, key, '5', { limit: 20, maxPages: 5 });
    expect(items).toEqual(Array.from({ length: 45 }, (_, i) => String(50 - i)));
    expect(queries.map((q) => q.min_id)).toEqual(['5', '25', '45']);
  });

  it('stops after one request when the page is not full', async () => {
    const { load, queries } = server(7);
    expect(await fetchNewerThan(load, key, '5', { limit: 20 })).toEqual(['7', '6']);
    expect(queries).toHaveLength(1);
  });

  it('stops after an empty page and after maxPages', async () => {
    const exact = server(25);
    expect(await fetchNewerThan(exact.load, key, '5', { limit: 20 })).toHaveLength(20);
    expect(exact.queries.map((q) => q.min_id)).toEqual(['5', '25']);

    const long = server(100);
    const items = await fetchNewerThan(long.load, key, '0', { limit: 10, maxPages: 3 });
    // The oldest 30: the next poll goes on from item 30.
    expect(items[0]).toBe('30');
    expect(items.at(-1)).toBe('1');
  });
});

describe('watchNewer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports what a poll finds until stopped, skipping empty results', async () => {
    const results: (string[] | null)[] = [['a'], null, ['b']];
    const seen: string[][] = [];
    const stop = watchNewer(async () => results.shift() ?? null, (r) => seen.push(r), 1000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(seen).toEqual([['a'], ['b']]);
    stop();
    results.push(['c']);
    await vi.advanceTimersByTimeAsync(3000);
    expect(seen).toEqual([['a'], ['b']]);
  });

  it('keeps polling after a failure', async () => {
    let calls = 0;
    const seen: number[] = [];
    const stop = watchNewer(
      async () => {
        calls++;
        if (calls === 1) throw new Error('offline');
        return calls;
      },
      (n) => seen.push(n),
      1000,
    );
    await vi.advanceTimersByTimeAsync(2000);
    expect(seen).toEqual([2]);
    stop();
  });
});

describe('pollAnchor', () => {
  it('starts from the newest listed item, skipping the user’s own new posts', () => {
    expect(pollAnchor(['9', '8', '5'], key, new Set(['9']))).toBe('8');
    expect(pollAnchor(['9', '8'], key, new Set())).toBe('9');
    expect(pollAnchor(['9'], key, new Set(['9']))).toBeNull();
    expect(pollAnchor([], key, new Set())).toBeNull();
  });
});
