// "New posts" for a list that is already on screen. Until Loggia serves the
// streaming API this asks the server for anything newer than the top item
// every POLL_MS while the page is visible; the list shows a button rather
// than moving what the reader is looking at.

export const POLL_MS = 15_000;

export function watchNewer<T>(
  fetchNewer: () => Promise<T[]>,
  onItems: (items: T[]) => void,
  interval = POLL_MS,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    if (stopped) return;
    if (typeof document === 'undefined' || document.visibilityState === 'visible') {
      try {
        const items = await fetchNewer();
        if (!stopped && items.length) onItems(items);
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
