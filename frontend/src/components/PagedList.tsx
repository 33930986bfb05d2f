// A list the server pages with `Link` headers: loads older items when the
// end scrolls into view (or on the "Load more" button, for keyboards and
// screen readers), and, when `live`, offers newer items behind a button
// instead of pushing the list down under the reader (an empty list simply
// fills in).

import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import type { Page, Query } from '../api/client';
import { t, tn } from '../i18n';
import { fetchNewerThan, pollAnchor, watchNewer } from '../live';
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
  live?: boolean;
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

  const fetchPage = useCallback(
    async (query: Query, append: boolean) => {
      if (busy.current) return;
      busy.current = true;
      setLoading(true);
      setError(null);
      try {
        const page = await load(query);
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
    if (!live) return;
    type Found = { fill: Page<T> } | { newer: T[] };
    return watchNewer<Found>(
      async () => {
        if (busy.current) return null;
        const anchor = pollAnchor([...newerRef.current, ...itemsRef.current], keyOf, prepended.current);
        if (anchor) {
          const fresh = await fetchNewerThan(load, keyOf, keyOf(anchor));
          return fresh.length ? { newer: fresh } : null;
        }
        const page = await load({});
        return page.items.length ? { fill: page } : null;
      },
      (found) => {
        const visible = (item: T) => !removed.current.has(keyOf(item));
        if ('fill' in found && itemsRef.current.length === 0 && newerRef.current.length === 0) {
          // Nothing on screen to keep in place: show them in the list.
          setItems(found.fill.items.filter(visible));
          setNext(found.fill.links.next ?? null);
          setError(null);
          return;
        }
        const fresh = ('fill' in found ? found.fill.items : found.newer).filter(visible);
        setNewer((old) => {
          const seen = new Set([...old, ...itemsRef.current].map(keyOf));
          return [...fresh.filter((item) => !seen.has(keyOf(item))), ...old];
        });
      },
    );
  }, [live, load, keyOf]);

  const showNewer = () => {
    setItems((old) => [...newer, ...old]);
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
