// "New posts" for a list that is already on screen. When the server offers
// the streaming API they come from it (streaming.ts); while it does not, or
// while the socket is down, this asks the server for anything newer than the
// top item every POLL_MS while the page is visible. The list shows a button
// rather than moving what the reader is looking at.

import type { Page, Query } from './api/client';
import type { StreamEvent, StreamSpec, StreamingClient } from './streaming';

export const POLL_MS = 15_000;
/** Items asked per poll: within every list's maximum (notifications allow 30). */
export const POLL_LIMIT = 20;
/** Pages fetched per poll at most; a longer burst continues at the next tick. */
export const POLL_MAX_PAGES = 5;

/** Calls `poll` every `interval` while the page is visible, and `onResult` with what it finds. */
export function watchNewer<R>(
  poll: () => Promise<R | null>,
  onResult: (result: R) => void,
  interval = POLL_MS,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    if (stopped) return;
    if (typeof document === 'undefined' || document.visibilityState === 'visible') {
      try {
        const result = await poll();
        if (!stopped && result !== null) onResult(result);
      } catch {
        // A failed poll is retried at the next tick; the page shows its own errors.
      }
    }
    if (!stopped) timer = setTimeout(tick, interval);
  };
  timer = setTimeout(tick, interval);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/**
 * Everything newer than `minId`, newest first. With `min_id` the server
 * answers the items right after it (newest first within the page), so a
 * burst longer than a page is read oldest page first, each page starting
 * after the newest item of the one before, with nothing skipped. Stops
 * after `maxPages`; the next poll goes on from the newest item it got.
 */
export async function fetchNewerThan<T>(
  load: (query: Query) => Promise<Page<T>>,
  keyOf: (item: T) => string,
  minId: string,
  { limit = POLL_LIMIT, maxPages = POLL_MAX_PAGES } = {},
): Promise<T[]> {
  let found: T[] = [];
  let after = minId;
  for (let n = 0; n < maxPages; n++) {
    const { items } = await load({ min_id: after, limit });
    if (!items.length) break;
    found = [...items, ...found];
    after = keyOf(items[0]);
    if (items.length < limit) break;
  }
  return found;
}

/**
 * Where the next poll starts: the newest item the server listed. The user's
 * own new posts (shown at once) are skipped: posts made just before one of
 * them may not have been fetched yet. Null when the server listed nothing.
 */
export function pollAnchor<T>(shown: readonly T[], keyOf: (item: T) => string, own: ReadonlySet<string>): T | null {
  return shown.find((item) => !own.has(keyOf(item))) ?? null;
}

/**
 * Streams `spec` when `streaming` is there and connected, and polls (as
 * `watchNewer`) otherwise: with no streaming client, before the socket opens
 * and whenever it drops. Each time it connects, one poll at once catches up
 * with what was posted while it was not listening.
 */
export function watchLive<R>(
  streaming: Pick<StreamingClient, 'subscribe' | 'available'> | null,
  spec: StreamSpec | null,
  poll: () => Promise<R | null>,
  onResult: (result: R) => void,
  onEvent: (event: StreamEvent) => void,
  interval = POLL_MS,
): () => void {
  if (!streaming || !spec) return watchNewer(poll, onResult, interval);
  let stopped = false;
  let stopPolling: (() => void) | null = null;
  const catchUp = () => {
    poll().then(
      (result) => {
        if (!stopped && result !== null) onResult(result);
      },
      () => undefined,
    );
  };
  const setAvailable = (available: boolean) => {
    if (stopped) return;
    if (available) {
      stopPolling?.();
      stopPolling = null;
      catchUp();
    } else if (!stopPolling) {
      stopPolling = watchNewer(poll, onResult, interval);
    }
  };
  const unsubscribe = streaming.subscribe(spec, (event) => !stopped && onEvent(event), setAvailable);
  setAvailable(streaming.available);
  return () => {
    stopped = true;
    unsubscribe();
    stopPolling?.();
  };
}
