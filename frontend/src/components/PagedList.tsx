// A list the server pages with `Link` headers: loads older items when the
// end scrolls into view (or on the "Load more" button, for keyboards and
// screen readers), and, when `live`, offers newer items behind a button
// instead of pushing the list down under the reader (an empty list simply
// fills in). A `live` feed streams when the server offers it (see live.ts).

import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import type { Page, Query } from '../api/client';
import { t, tn } from '../i18n';
import type { Status } from '../api/types';
import { fetchNewerThan, pollAnchor, watchLive } from '../live';
import type { LiveFeed } from '../live-feeds';
import { useStreaming } from '../session';
import type { StreamEvent } from '../streaming';
import { Empty, ErrorMessage, Loading } from './feedback';

export interface ItemControls<T> {
  remove: () => void;
  replace: (item: T) => void;
}

export interface PagedListProps<T> {
  load: (query: Query) => Promise<Page<T>>;
  render: (item: T, controls: ItemControls<T>) => ComponentChildren;
  keyOf: (item: T) => string;
  /** Accessible name of the feed ("Home timeline"). */
  label: string;
  /** Offer newer items: `true` polls; a feed streams it when the server can, and polls otherwise. */
  live?: boolean | LiveFeed<T>;
  empty?: string;
  /** The "show newer" button's text for lists of something other than posts. */
  newerLabel?: (count: number) => string;
  /** Items to show at the top at once (the user's own new post); a new array adds those not shown yet. */
  prepend?: T[];
}

export function PagedList<T>({ load, render, keyOf: keyOfProp, label, live, empty, prepend, newerLabel }: PagedListProps<T>) {
  // Callers often pass an inline `keyOf`: a new function on every render must
  // not reload the list (only a new `load` does).
  const keyRef = useRef(keyOfProp);
  keyRef.current = keyOfProp;
  const keyOf = useCallback((item: T) => keyRef.current(item), []);
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<Query | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [newer, setNewer] = useState<T[]>([]);
  const sentinel = useRef<HTMLDivElement>(null);
  const busy = useRef(false);
  // Settles when the page under way has loaded: a poll waits for it.
  const idle = useRef<Promise<void>>(Promise.resolve());
  const itemsRef = useRef<T[]>([]);
  itemsRef.current = items;
  const newerRef = useRef<T[]>([]);
  newerRef.current = newer;
  // Keys of items removed from the list (deleted posts): a poll that was
  // already under way must not bring one back.
  const removed = useRef(new Set<string>());
  // Keys of the items `prepend` added, each once: one removed since (a
  // deleted post) must not come back when the caller passes a longer array.
  const prepended = useRef(new Set<string>());
  // Posts the stream said were deleted: a poll under way must not show them.
  const deleted = useRef(new Set<string>());
  const streaming = useStreaming();
  // Pages may pass an inline feed: only what it listens to resubscribes.
  const feedRef = useRef<LiveFeed<T> | null>(null);
  feedRef.current = typeof live === 'object' ? live : null;
  const liveKey = typeof live === 'object' ? `${live.stream} ${live.tag ?? ''} ${live.list ?? ''}` : live ? 'poll' : null;

  const fetchPage = useCallback(
    async (query: Query, append: boolean) => {
      if (busy.current) return;
      busy.current = true;
      let settle: () => void = () => undefined;
      idle.current = new Promise((resolve) => (settle = resolve));
      setLoading(true);
      setError(null);
      try {
        const page = await load(query);
        if (!append) {
          // Streamed items that this page lists already are not "new".
          const loaded = new Set(page.items.map(keyOf));
          setNewer((pending) => pending.filter((item) => !loaded.has(keyOf(item))));
        }
        setItems((old) => {
          if (!append) {
            // A post made while the first page was loading stays on top.
            const loaded = new Set(page.items.map(keyOf));
            return [...old.filter((item) => prepended.current.has(keyOf(item)) && !loaded.has(keyOf(item))), ...page.items];
          }
          const seen = new Set(old.map(keyOf));
          return [...old, ...page.items.filter((item) => !seen.has(keyOf(item)))];
        });
        setNext(page.items.length && page.links.next ? page.links.next : null);
      } catch (e) {
        setError(e);
      } finally {
        busy.current = false;
        settle();
        setLoading(false);
      }
    },
    [load, keyOf],
  );

  useEffect(() => {
    setItems([]);
    setNewer([]);
    setNext(null);
    void fetchPage({}, false);
  }, [fetchPage]);

  useEffect(() => {
    const added = (prepend ?? []).filter((item) => !prepended.current.has(keyOf(item)));
    if (!added.length) return;
    for (const item of added) prepended.current.add(keyOf(item));
    setItems((old) => {
      const seen = new Set(old.map(keyOf));
      const fresh = added.filter((item) => !seen.has(keyOf(item)));
      return fresh.length ? [...fresh, ...old] : old;
    });
    const shown = new Set(added.map(keyOf));
    setNewer((old) => old.filter((item) => !shown.has(keyOf(item))));
  }, [prepend, keyOf]);

  const loadMore = useCallback(() => {
    if (next && !busy.current) void fetchPage(next, true);
  }, [next, fetchPage]);

  useEffect(() => {
    const node = sentinel.current;
    if (!node || !next || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    }, { rootMargin: '600px' });
    observer.observe(node);
    return () => observer.disconnect();
  }, [next, loadMore]);

  useEffect(() => {
    if (!liveKey) return;
    const visible = (item: T) => {
      const feed = feedRef.current;
      return !removed.current.has(keyOf(item)) && !(feed && [...deleted.current].some((id) => feed.refersTo(item, id)));
    };
    const offer = (fresh: T[]) => {
      setNewer((old) => {
        const seen = new Set([...old, ...itemsRef.current].map(keyOf));
        return [...fresh.filter((item) => visible(item) && !seen.has(keyOf(item))), ...old];
      });
    };
    const onEvent = (event: StreamEvent) => {
      const feed = feedRef.current;
      if (!feed) return;
      if (event.event === feed.event) {
        const item = event.payload as T;
        if (feed.accept && !feed.accept(item)) return;
        if (!busy.current && itemsRef.current.length === 0 && newerRef.current.length === 0 && visible(item)) {
          setItems([item]); // Nothing on screen to keep in place.
        } else {
          offer([item]);
        }
      } else if (event.event === 'delete') {
        const id = event.payload;
        deleted.current.add(id);
        for (const item of itemsRef.current) if (feed.refersTo(item, id)) removed.current.add(keyOf(item));
        setItems((old) => old.filter((item) => !feed.refersTo(item, id)));
        setNewer((old) => old.filter((item) => !feed.refersTo(item, id)));
      } else if (event.event === 'status.update') {
        const edit = (list: T[]) => list.map((item) => feed.edited(item, event.payload as Status));
        setItems(edit);
        setNewer(edit);
      }
    };
    type Found = { fill: Page<T> } | { newer: T[] };
    return watchLive<Found>(
      streaming,
      feedRef.current,
      async () => {
        while (busy.current) await idle.current;
        const anchor = pollAnchor([...newerRef.current, ...itemsRef.current], keyOf, prepended.current);
        if (anchor) {
          const fresh = await fetchNewerThan(load, keyOf, keyOf(anchor));
          return fresh.length ? { newer: fresh } : null;
        }
        const page = await load({});
        return page.items.length ? { fill: page } : null;
      },
      (found) => {
        if ('fill' in found && itemsRef.current.length === 0 && newerRef.current.length === 0) {
          // Nothing on screen to keep in place: show them in the list.
          setItems(found.fill.items.filter(visible));
          setNext(found.fill.links.next ?? null);
          setError(null);
          return;
        }
        offer('fill' in found ? found.fill.items : found.newer);
      },
      onEvent,
    );
  }, [liveKey, streaming, load, keyOf]);

  const showNewer = () => {
    setItems((old) => {
      const shown = new Set(old.map(keyOf));
      return [...newer.filter((item) => !shown.has(keyOf(item))), ...old];
    });
    setNewer([]);
    window.scrollTo({ top: 0 });
  };

  const controls = (item: T): ItemControls<T> => ({
    remove: () => {
      removed.current.add(keyOf(item));
      setItems((old) => old.filter((other) => keyOf(other) !== keyOf(item)));
    },
    replace: (fresh) => setItems((old) => old.map((other) => (keyOf(other) === keyOf(item) ? fresh : other))),
  });

  return (
    <div class="paged-list">
      {newer.length > 0 && (
        <button type="button" class="new-items" onClick={showNewer}>
          {newerLabel ? newerLabel(newer.length) : tn('timeline.new_posts', newer.length)}
        </button>
      )}
      <div role={items.length ? 'feed' : undefined} aria-label={items.length ? label : undefined} aria-busy={loading}>
        {items.map((item) => (
          <div key={keyOf(item)}>{render(item, controls(item))}</div>
        ))}
      </div>
      {error !== null && <ErrorMessage error={error} retry={() => void fetchPage(next ?? {}, items.length > 0)} />}
      {loading && <Loading />}
      {!loading && error === null && items.length === 0 && <Empty text={empty} />}
      {!loading && error === null && next && (
        <div ref={sentinel} class="load-more">
          <button type="button" onClick={loadMore}>
            {t('common.load_more')}
          </button>
        </div>
      )}
      {!loading && error === null && !next && items.length > 0 && (
        <p class="end-of-list">{t('common.end_of_list')}</p>
      )}
    </div>
  );
}
